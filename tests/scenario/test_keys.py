"""The keys of a scenario file: one id rule with the rest of the library."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from partnercore import ValidationError
from partnercore._fields import check_id
from partnercore.scenario._keys import Identifier

ID_LIKE = st.text(alphabet="ab9._- /\u00e9\n", min_size=0, max_size=70)


def _accepted(check: object, value: str) -> bool:
    try:
        check(value)  # type: ignore[operator]
    except ValidationError:
        return False
    return True


@given(st.one_of(ID_LIKE, st.text(max_size=70)))
def test_a_scenario_id_is_an_id_exactly_when_the_library_says_so(value: str) -> None:
    library = _accepted(lambda v: check_id(v, "id"), value)

    assert library == _accepted(Identifier().parse, value)
