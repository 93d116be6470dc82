"""The demo company's purchasing and production: loaded after inventory, consistent snapshot rows."""

from core.db import db, utcnow
from procurement import service
from procurement.production import service as production_service


def test_the_demo_loads_suppliers_routes_and_open_documents_that_reference_each_other(app, runner):
    result = runner.invoke(args=["demo", "--no-tokens"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        at = utcnow()
        suppliers = {s["code"] for s in service.snapshot_suppliers()}
        offers = service.snapshot_offers(at=at)
        routes = production_service.snapshot_routes()
        resources = {r["code"]: r["location"] for r in production_service.snapshot_resources(at=at)}
        purchases, in_progress = service.snapshot_receipts(at=at), production_service.snapshot_receipts(at=at)
        db.session.rollback()
    assert offers and {o["supplier"] for o in offers} <= suppliers
    assert {r["resource"] for r in routes} <= set(resources) and set(resources.values()) == {"PL-HF", "PL-WH"}
    made = {r["sku"] for r in routes}
    assert any(c["sku"] in made for r in routes for c in r["components"]), "a two-level bill of materials"
    assert purchases and all(p["qty"] > 0 for p in purchases)
    assert [p["ref"][:3] for p in in_progress] == ["MO-"]
