"""The audit: runs the rules, applies the policy, scores, and assembles the report (plain data for the reporters)."""
