"""The clinic's identity comes from clinic.yml and reaches the replies through slots."""

import pytest

from clinic.settings import ClinicConfigError, clinic_slots, load_clinic, opening_hours


def write(tmp_path, text):
    path = tmp_path / "clinic.yml"
    path.write_text(text)
    return path


MINIMAL = """
name: Test Knee Clinic
timezone: Europe/London
phone: "+1 555 0100 999"
email: team@knee.example.com
address: {line1: 1 High St, city: Testville, postcode: T1 1TT}
opening_hours: {monday: "09:00-17:00", saturday: closed}
"""


def test_shipped_example_clinic_is_fictional():
    clinic = load_clinic()
    assert "example" in clinic["name"].lower()
    assert clinic["email"].endswith("example.com")
    assert "555" in clinic["phone"]
    assert clinic["booking_link"].startswith("https://") and "example.com" in clinic["booking_link"]


def test_slots_render_hours_address_and_prices(tmp_path):
    clinic = load_clinic(write(tmp_path, MINIMAL + "prices: {currency: '£', items: [{name: Assessment, price: 70}]}\n"))
    slots = clinic_slots(clinic)
    assert slots["clinic_name"] == "Test Knee Clinic"
    assert "- Monday: 09:00–17:00" in slots["clinic_hours"]
    assert "- Saturday: closed" in slots["clinic_hours"]
    assert "- Sunday: closed" in slots["clinic_hours"]  # a day left out is closed
    assert slots["clinic_address"] == "1 High St, Testville, T1 1TT"
    assert slots["clinic_prices"] == "- Assessment: £70"


def test_missing_required_field_is_a_clear_error(tmp_path):
    with pytest.raises(ClinicConfigError, match="phone"):
        load_clinic(write(tmp_path, MINIMAL.replace('phone: "+1 555 0100 999"\n', "")))


def test_malformed_opening_hours_name_the_day(tmp_path):
    with pytest.raises(ClinicConfigError, match="opening_hours.monday"):
        load_clinic(write(tmp_path, MINIMAL.replace('"09:00-17:00"', '"9am till 5"')))


def test_edits_are_picked_up_without_restart(tmp_path):
    path = write(tmp_path, MINIMAL)
    assert load_clinic(path)["name"] == "Test Knee Clinic"
    import os

    path.write_text(MINIMAL.replace("Test Knee Clinic", "Renamed Clinic"))
    stat = path.stat()
    os.utime(path, (stat.st_atime, stat.st_mtime + 5))
    assert load_clinic(path)["name"] == "Renamed Clinic"


def test_opening_hours_parsed_per_day(tmp_path):
    hours = opening_hours(load_clinic(write(tmp_path, MINIMAL)))
    assert hours["monday"].opens == "09:00" and hours["monday"].closes == "17:00"
    assert hours["saturday"] is None
