from drcheck.api import NOT_APPLICABLE, Rule, alternatives_sharing, domain_phrase


class DrSharesUtility(Rule):
    """Sites in different buildings, even far apart, still fail together when
    they hang off one substation, reach the world through one carrier or sit
    in one flood plain or on one fault line.  At Pangyo in 2022 and
    Strasbourg in 2021 it was the power cut more than the fire that stopped
    the servers; in Strasbourg it also stopped SBG4, which the fire never
    reached.  NIST SP 800-34 Rev. 1 (section 3.4.3) wants the alternate site
    in an area "unlikely to be negatively affected by the same hazard"; NIST
    SP 800-53 Rev. 5 CP-8(2)/(3) asks for alternate telecommunications with
    no single point of failure shared with the primary and from separate
    providers; DORA Art. 12(5) asks for a secondary site with a "distinct
    risk profile".  Cloud providers build their availability zones on this
    principle: AWS zones are fed by different substations and designed not
    to share fate from power, fibre, floods or earthquakes.

    It fires when, for some primary of a service that runs on two or more
    sites, every other placement shares at least one power feed (`power`),
    network carrier (`network`) or hazard zone (`hazards`) with it; a
    placement on the primary's own site shares all of them.  The message
    names what is shared, and the evidence lists the shared domains for each
    other site.  There is no unknown result: a site without these lists has
    declared nothing shared, and the rule takes it at its word.
    """

    id = "dr-shares-utility"
    title = "DR placement shares power, network or hazard zone with the primary"
    severity = "medium"
    needs_placements = True
    remediation = ("Give at least one standby (or second active site) its own power feed, network carrier and hazard "
                   "area, different from the primary's, and fail over to it; where a shared utility cannot be avoided, "
                   "add an independent second one (a second substation, a second carrier on a diverse route).")
    references = ("NIST SP 800-34 Rev. 1, section 3.4.3 (alternate sites)", "NIST SP 800-53 Rev. 5 CP-7(1), CP-8(2), CP-8(3)",
                  "Regulation (EU) 2022/2554 (DORA) Art. 12(5)",
                  "AWS whitepaper, AWS Fault Isolation Boundaries: Availability Zones")

    def check(self, ctx, service):
        if not service.has_dr:
            return NOT_APPLICABLE
        return list(self._per_primary(ctx, service))

    def _per_primary(self, ctx, service):
        for primary, alternatives in alternatives_sharing(ctx, service, ("site", "power", "network", "hazard")):
            stories = [f"{a} shares {_utilities(a.shared)}" for a in alternatives]
            if len(stories) == 1:
                message = f"{stories[0]} with primary {primary}"
            else:
                message = f"every other placement shares a utility or hazard with primary {primary}: {'; '.join(stories)}"
            yield self.fail(
                service,
                message,
                {"primary": primary, "others": [a.site for a in alternatives],
                 "shared": {a.site: [str(d) for d in a.shared] for a in alternatives}},
                cause=primary,
            )


def _utilities(shared) -> str:
    if shared[0].kind == "site":
        return "every power feed, carrier and hazard zone"
    phrases = [domain_phrase(d) for d in shared]
    return phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} and {phrases[-1]}"
