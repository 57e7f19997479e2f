"""Packaged calendar data: public holidays per year (holidays-YYYY.json) and SLA working days (sla.json)."""
