"""What rto-infeasible and rpo-infeasible say alike, about a recovery objective and the DR strategy that has to
meet it; each rule keeps what it alone knows (what a strategy achieves, and how)."""
from drcheck.api import Finding, Rule, Service, format_duration, strategy_basis


def without_strategy(rule: Rule, service: Service, objective: str, evidence: dict, consequence: str) -> Finding | None:
    """Unknown when the service's strategy is not known, failed when it has no DR at all (`consequence`: what
    losing its site then does); None when the rule must weigh the strategy itself."""
    target = format_duration(evidence[f"{objective}_seconds"])
    strategy = service.effective_strategy
    if strategy is None:
        return rule.unknown(service, f"cannot tell whether {objective} {target} is achievable: {service.name} "
                                     f"{strategy_basis(service)}", evidence)
    if strategy == "none":
        return rule.fail(service, f"{objective} {target} cannot be met: {service.name} {strategy_basis(service)}, "
                                  f"so {consequence}", evidence | {"achievable": None})
    return None


def shorter_than_achievable(rule: Rule, service: Service, objective: str, evidence: dict, achievable: int,
                            how: str) -> Finding:
    """The objective is tighter than the `achievable` seconds the strategy can do (`how`: by what means)."""
    target = format_duration(evidence[f"{objective}_seconds"])
    return rule.fail(service, f"{objective} {target} is shorter than what {service.effective_strategy} can achieve {how}",
                     evidence | {"achievable": format_duration(achievable), "achievable_seconds": achievable})
