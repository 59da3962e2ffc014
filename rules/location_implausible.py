from drcheck.api import NOT_APPLICABLE, PASSED, Example, Param, Rule


class LocationImplausible(Rule):
    """Finds sites whose location is far from every other site of their region: a mistyped or swapped coordinate.

    ## Why it matters
    Every distance rule trusts the coordinates it is given.  A latitude and
    longitude written the wrong way round, or one digit mistyped, can stay
    inside the valid range and move a site thousands of kilometres: a DR site
    21 km from its primary then looks 5,000 km away, and dr-site-too-close
    passes a pair that one flood or grid failure would take together.  The
    `region` label is a second statement of where a site is; when the two
    disagree, one of them is wrong, and the report should not be trusted on
    distances until a person has looked.

    ## When it fires
    It fires for a site with a location and a `region` when it lies more than
    `max_region_span_km` (1000 km by default, drcheck's own figure: wider
    than most countries' regions and cloud regions' metropolitan areas) from
    every other located site of the same region.  When swapping its latitude
    and longitude would bring it within that span of one of them, the message
    says so.  A site without a location or a region, or the only located site
    of its region, is not judged.  Two sites at the same named cloud region
    are near each other.  When a region has only two sites, both are far from
    each other and both are reported: look at both.
    """

    id = "location-implausible"
    title = "Site location far from every other site of its region"
    severity = "medium"
    categories = ("inventory",)
    scope = "site"
    params = {"max_region_span_km": Param(1000.0, "largest plausible distance between a site and the nearest other "
                                                  "site of its region", minimum=0)}
    example_fires = Example("""
        version: 1
        sites:
          paris-1: {location: [48.8566, 2.3522], region: fr-idf}
          paris-2: {location: [48.9000, 2.3000], region: fr-idf}
          paris-3: {location: [2.2950, 48.8580], region: fr-idf}
        services:
          web:
            placements: [{site: paris-1}, {site: paris-3, role: standby}]
        """, subject="site:paris-3")
    example_passes = Example("""
        version: 1
        sites:
          paris-1: {location: [48.8566, 2.3522], region: fr-idf}
          paris-2: {location: [48.9000, 2.3000], region: fr-idf}
          paris-3: {location: [48.8580, 2.2950], region: fr-idf}
        services:
          web:
            placements: [{site: paris-1}, {site: paris-3, role: standby}]
        """)
    remediation = ("Check the site's coordinates (latitude first, then longitude, in degrees) and its region against "
                   "the facility's address, and correct whichever is wrong.")
    references = ("ISO 6709:2022 (latitude before longitude)",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._regions: tuple[object, dict[str, list[str]]] | None = None  # (inventory, region -> its located sites)
        self._near: dict[str, dict[str, list[str]]] = {}  # region -> each of its located sites -> those within the span

    def _located_by_region(self, ctx) -> dict[str, list[str]]:
        """The sites with a location in each region: once per audit."""
        if self._regions is None or self._regions[0] is not ctx.inventory:
            by_region: dict[str, list[str]] = {}
            for site in ctx.inventory.sites.values():
                if site.region is not None and site.coordinates is not None:
                    by_region.setdefault(site.region, []).append(site.name)
            self._regions = (ctx.inventory, by_region)
            self._near = {}
        return self._regions[1]

    def _within_span(self, ctx, region: str, span: float) -> dict[str, list[str]]:
        """For each located site of the region, those of the region nearer than `span` (itself included): once
        per region."""
        found = self._near.get(region)
        if found is None:
            found = self._near[region] = ctx.sites_near(self._located_by_region(ctx)[region], span)
        return found

    def applies(self, ctx, site):
        return site.region is not None and site.coordinates is not None

    def check(self, ctx, site):
        span = self.param("max_region_span_km")
        others = [name for name in self._located_by_region(ctx)[site.region] if name != site.name]
        if not others:
            return NOT_APPLICABLE  # alone in its region: nothing to compare it with
        if len(self._within_span(ctx, site.region, span)[site.name]) > 1:
            return PASSED  # most sites: another of the region is nearer, found without measuring every pair
        nearest, nearest_km = None, None
        for other in others:
            km = ctx.distance_km(site.name, other)
            if km is None or km <= span:  # (None: two sites at one named cloud region, the same metro)
                return PASSED
            if nearest_km is None or km < nearest_km:
                nearest, nearest_km = other, km
        lat, lon = site.coordinates
        evidence = {"location": [lat, lon], "region": site.region, "nearest": nearest,
                    "distance_km": round(nearest_km, 1), "max_region_span_km": span}
        message = (f"{site.name} at ({lat}, {lon}) is {nearest_km:,.0f} km from {nearest}, the nearest other site "
                   f"of region {site.region}, more than the {span:g} km a region spans: its location or its region "
                   "is probably wrong")
        if abs(lon) <= 90:
            swapped = (lon, lat)
            km, closest = min((ctx.km_between(swapped, ctx.site(o).coordinates), o) for o in others)
            if km <= span:
                evidence["swapped_distance_km"] = round(km, 1)
                message += (f"; with latitude and longitude swapped, ({lon}, {lat}), it would be {km:,.0f} km "
                            f"from {closest}: were they written the wrong way round?")
        return self.fail(site, message, evidence)
