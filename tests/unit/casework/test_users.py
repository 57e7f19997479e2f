"""The rules a user must meet, and argon2id passwords."""

import pytest
from argon2 import PasswordHasher

from casework.users import Invalid, Passwords, User, check, check_password

DEPARTMENTS = frozenset({"passports", "visit-visas"})


def user(**overrides) -> User:
    return User(**{"username": "sara.q", "display_name": "Sara", "role": "officer", "department": "passports",
                   "language": "ar", **overrides})


def test_a_well_formed_officer_passes():
    assert check(user(), DEPARTMENTS) == user()


@pytest.mark.parametrize(("overrides", "rule"), [
    ({"username": "Sara"}, "username 'Sara'"),
    ({"username": "s"}, "2–32 characters"),
    ({"username": "sara q"}, "lowercase letters"),
    ({"display_name": " "}, "display name"),
    ({"display_name": "Sara\x00"}, "printable"),
    ({"role": "root"}, "role 'root'"),
    ({"department": None}, "an officer belongs to a department"),
    ({"role": "auditor"}, "an auditor belongs to no department"),
    ({"department": "mars"}, "department 'mars': one of passports, visit-visas"),
])
def test_each_rule_is_named_when_broken(overrides, rule):
    with pytest.raises(Invalid, match=rule):
        check(user(**overrides), DEPARTMENTS)


def test_auditors_and_admins_have_no_department_supervisors_one():
    assert check(user(role="auditor", department=None), DEPARTMENTS).department is None
    assert check(user(role="supervisor"), DEPARTMENTS).department == "passports"


@pytest.mark.parametrize(("password", "rule"), [
    ("short", "12 to 1024 characters"),
    ("x" * 1025, "12 to 1024 characters"),
    ("my-SARA.Q-password", "must not contain the username"),
])
def test_weak_passwords_are_refused(password, rule):
    with pytest.raises(Invalid, match=rule):
        check_password(password, "sara.q")


def test_passwords_are_argon2id_and_only_the_right_one_matches():
    passwords = Passwords()
    stored = passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$") and "correct" not in stored
    assert passwords.verify(stored, "correct horse battery")
    assert not passwords.verify(stored, "correct horse battery!")
    assert not passwords.verify(None, "correct horse battery")  # an unknown user: the decoy is checked instead
    assert not passwords.verify("not a hash", "correct horse battery")


def test_a_hash_made_with_weaker_parameters_is_outdated():
    weak = PasswordHasher(time_cost=1, memory_cost=8 * 1024, parallelism=1).hash("correct horse battery")
    assert Passwords().outdated(weak)
    assert not Passwords().outdated(Passwords().hash("correct horse battery"))
