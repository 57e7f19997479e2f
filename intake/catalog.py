"""The sections Tawasul accepts requests under (the seeds' ten), with their sub-services.

The intake issue deepens this into versioned catalog data with attachment rules and subjects.
"""

CATALOG_VERSION = "2026.1"

SECTIONS: dict[str, frozenset[str]] = {
    "saudi-passport": frozenset({"issue", "renew", "replace-lost", "travel-permit"}),
    "iqama": frozenset({"issue", "renew", "replace-lost", "correct-data"}),
    "dependents": frozenset({"add-dependent", "remove-dependent", "sponsored-services"}),
    "passport-renewal": frozenset({"renew", "extend"}),
    "exit-reentry": frozenset(
        {"issue-single", "issue-multiple", "extend", "cancel", "final-exit-issue", "final-exit-cancel"}
    ),
    "visit-visa": frozenset({"issue", "cancel"}),
    "visit-extension": frozenset({"extend", "extend-yemeni-syrian"}),
    "transfer-of-services": frozenset({"transfer"}),
    "profession-change": frozenset({"change"}),
    "reports": frozenset({"absence-from-work", "cancel-report"}),
}
