"""Pages and listings show addresses and numbers masked."""

from notify.local.received import mask_email, mask_mobile


def test_addresses_and_numbers_are_masked():
    assert mask_email("someone@example.sa") == "s*****e@example.sa"
    assert mask_email("a@example.sa") == "*@example.sa"
    assert mask_mobile("+966501234567") == "+9665******67"
    assert "1234" not in mask_mobile("+966501234567")
