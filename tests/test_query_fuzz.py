"""Whatever a user types, search answers with results or a message — never a crash."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import QueryError
from store.search.query import parse

SYNTAX = st.sampled_from(
    ['"', "“", "”", "-", "OR", " ", "title:", "date:", "..", ":", "（", "）", "*"]
)
TEXT = st.lists(st.one_of(SYNTAX, st.text(min_size=1, max_size=4)), max_size=12).map("".join)


@given(TEXT)
@settings(max_examples=300, deadline=None)
def test_parser_raises_only_query_errors(text):
    try:
        parsed = parse(text)
    except QueryError as e:
        assert str(e)
    else:
        assert parsed.query is not None


@given(TEXT)
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_answers_200_or_400(client, text):
    response = client.get("/api/search", query_string={"q": text})
    assert response.status_code in (200, 400), text
    assert response.is_json
