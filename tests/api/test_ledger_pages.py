"""The ledger over HTTP at length: pages by keyset (cursor), offset pages kept for old clients, and
stock as of an instant unchanged by checkpoints."""

from datetime import timedelta

from inventory import checkpoints
from tests.factories import keyed

LEDGER = "/api/v1/ledger"


def receive(client, headers, times: int, sku: str = "SKU-1") -> None:
    for _ in range(times):
        movement = {"kind": "receipt", "sku": sku, "location": "WH-1", "quantity": 1}
        response = client.post("/api/v1/movements", json=movement, headers=keyed(headers("warehouse")))
        assert response.status_code == 201


def follow(client, headers, url: str) -> tuple[list[list[int]], list[str]]:
    """Every page's entry ids from `url` on, following `X-Next-Cursor`; and each page's Link header."""
    pages, links = [], []
    while url:
        response = client.get(url, headers=headers())
        assert response.status_code == 200 and "X-Pagination" not in response.headers
        pages.append([entry["id"] for entry in response.get_json()])
        links.append(response.headers.get("Link"))
        cursor = response.headers.get("X-Next-Cursor")
        url = f"{LEDGER}?page_size=3&sku=SKU-1&cursor={cursor}" if cursor else None
    return pages, links


def test_the_ledger_pages_by_cursor_newest_first_through_every_entry_once(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    stock("SKU-2", "WH-1", 1)
    receive(client, headers, 6)
    everything = [e["id"] for e in client.get(f"{LEDGER}?sku=SKU-1", headers=headers()).get_json()]
    pages, links = follow(client, headers, f"{LEDGER}?page_size=3&sku=SKU-1")
    assert [len(page) for page in pages] == [3, 3, 1]
    assert [i for page in pages for i in page] == everything == sorted(everything, reverse=True)
    assert links[0] == f'<{LEDGER}?page_size=3&sku=SKU-1&cursor={pages[0][-1]}>; rel="next"'
    assert links[-1] is None


def test_a_page_number_still_gives_offset_pages_with_their_total(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    receive(client, headers, 4)
    response = client.get(f"{LEDGER}?page=2&page_size=2", headers=headers())
    assert len(response.get_json()) == 2
    assert '"total": 5' in response.headers["X-Pagination"]
    assert "X-Next-Cursor" not in response.headers


def test_paging_by_cursor_and_by_page_at_once_is_422(client, headers, stock):
    response = client.get(f"{LEDGER}?page=2&cursor=10", headers=headers())
    assert response.status_code == 422
    assert "cursor" in response.get_json()["errors"]["query"]


def test_a_cursor_past_the_oldest_entry_is_an_empty_last_page(client, headers, stock):
    stock("SKU-1", "WH-1", 1)
    response = client.get(f"{LEDGER}?cursor=1", headers=headers())
    assert response.get_json() == [] and "X-Next-Cursor" not in response.headers


def test_stock_as_of_an_instant_is_the_same_before_and_after_a_checkpoint(
    app, client, runner, headers, stock, monkeypatch
):
    stock("SKU-1", "WH-1", 5)
    receive(client, headers, 2)
    [entry, *_] = client.get(LEDGER, headers=headers()).get_json()
    at = {"at": entry["created_at"]}
    before = client.get("/api/v1/stock/as-of", query_string=at, headers=headers()).get_json()
    monkeypatch.setattr(checkpoints, "CLOCK_MARGIN", timedelta(0))
    result = runner.invoke(args=["stock", "checkpoint"])
    assert result.exit_code == 0 and "3 ledger entries since the previous one" in result.output
    receive(client, headers, 1)
    after = client.get("/api/v1/stock/as-of", query_string=at, headers=headers()).get_json()
    assert before == after == [{"sku": "SKU-1", "location": "WH-1", "on_hand": 7}]
