"""Keys are issued only for the portals Tawasul serves; an officer's key may name anyone."""

import pytest

from intake.keys import UnknownPortal, check_principal
from tawasul.cli import main


def test_a_portal_key_names_a_known_portal():
    check_principal("absher", "portal")
    check_principal("officer-7", "officer")
    with pytest.raises(UnknownPortal, match="no portal 'evil-portal'"):
        check_principal("evil-portal", "portal")


def test_the_cli_refuses_a_key_for_a_made_up_portal_before_touching_anything():
    with pytest.raises(SystemExit) as exit_:
        main(["key", "portal", "evil-portal"])
    assert "no portal 'evil-portal'; the portals are absher, muqeem" in str(exit_.value.code)
