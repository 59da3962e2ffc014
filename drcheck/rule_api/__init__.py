"""The rule API: what a rule sees (Context), returns (Finding), takes (Param) and documents; rules import it via drcheck.api."""
