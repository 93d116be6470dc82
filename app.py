"""The composition root: `create_app` builds takt from the kernel (`core/`) and every domain's blueprints,
event handlers, demo loaders and commands. Nothing imports this module but the entry points (`wsgi.py`)
and the tests; `core/` imports no domain."""

from flask import Flask

from core import errors, events
from core.api import create_api, meta_blp
from core.auth import login_manager
from core.commands import demo_command, tokens_cli, users_cli
from core.config import load_config
from core.db import register_database
from core.events import subscribe
from core.guards import register_guards
from core.imports import register_importers
from core.imports_api import blp as imports_blp
from core.imports_web import data as data_pages
from core.observability import register_observability
from core.pages import kit
from core.security import register_security
from inventory import imports as inventory_imports
from inventory.api import blp as inventory_blp
from inventory.cli import stock_cli
from inventory.demo import load_inventory_demo
from inventory.events import StockMoved
from inventory.web import warehouse
from logistics import service as logistics_service
from logistics.api import blp as logistics_blp
from logistics.demo import load_logistics_demo
from orders import events as order_events
from orders import imports as order_imports
from orders.demo import load_orders_demo
from planning.api import blp as orders_blp  # orders/api.py's blueprint, the planning snapshot joined
from planning.cli import planning_cli
from planning.company import load_generated_company
from planning.runs.api import blp as planning_runs_blp
from planning.runs.events import PlanPublished
from planning.snapshot import adjust_purchase_receipts
from planning.web import init_web
from planning.web.pages import add_landing_page
from planning.webhooks.api import blp as webhooks_blp
from procurement import imports as procurement_imports
from procurement.api import blp as procurement_blp
from procurement.demo import load_procurement_demo
from procurement.events import PurchaseOrderCancelled, PurchaseOrderReleased
from procurement.production.api import blp as production_blp
from procurement.production.demo import load_production_demo
from procurement.web import receiving
from quotes import service as quotes_service
from quotes import web as quote_pages  # noqa: F401  (the quote form joins the workspace's pages)
from quotes.api import blp as quotes_blp
from schedules.cli import schedules_cli
from suppliers import acknowledge as supplier_acknowledge
from suppliers.api import blp as suppliers_blp
from suppliers.demo import load_suppliers_demo
from suppliers.portal_api import blp as supplier_portal_blp
from suppliers.receipts import apply_supplier_answers
from suppliers.web import pages as supplier_pages

BLUEPRINTS = (
    meta_blp,
    inventory_blp,
    procurement_blp,
    production_blp,
    orders_blp,
    logistics_blp,
    planning_runs_blp,
    webhooks_blp,
    imports_blp,
    suppliers_blp,
    supplier_portal_blp,
    quotes_blp,
)
PAGES = (kit, data_pages, warehouse, receiving)  # the domains' pages (the planner's workspace: `init_web`)
# what the import pages and `POST /imports/<kind>` take, in the order the pages list them
IMPORTERS = (*inventory_imports.IMPORTERS, *procurement_imports.IMPORTERS, *order_imports.IMPORTERS)
DEMO_LOADERS = (
    load_inventory_demo,
    load_procurement_demo,
    load_production_demo,
    load_orders_demo,
    load_logistics_demo,
    load_suppliers_demo,
)
COMMANDS = (users_cli, tokens_cli, demo_command, stock_cli, planning_cli, schedules_cli)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the takt application (config: defaults, then `SCM_*` environment, then `test_config`)."""
    app = Flask(__name__)
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_event_handlers(app)
    errors.register_error_handlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    register_observability(app)
    register_guards(app)
    register_security(app)
    register_database(app)
    login_manager.init_app(app)
    create_api(app)


def register_blueprints(app: Flask) -> None:
    for blueprint in BLUEPRINTS:
        app.extensions["takt_api"].register_blueprint(blueprint)
    init_web(app)
    for blueprint in PAGES:
        app.register_blueprint(blueprint)
    register_importers(app, IMPORTERS)
    app.register_blueprint(supplier_pages)
    add_landing_page(app, "supplier", "suppliers_web.portal_page")


def register_event_handlers(app: Flask) -> None:
    """Subscribe each domain's reactions to the events of the domains below it."""
    order_events.subscribe(
        app, order_events.OrderCancelled, logistics_service.cancel_deliveries_of_cancelled_order
    )
    events.subscribe(app, PurchaseOrderReleased, supplier_acknowledge.send_purchase_order)
    events.subscribe(app, PurchaseOrderCancelled, supplier_acknowledge.withdraw_purchase_order)
    adjust_purchase_receipts(app, apply_supplier_answers)
    subscribe(app, PlanPublished, quotes_service.store_residual)
    subscribe(app, StockMoved, quotes_service.record_movement)


def register_commands(app: Flask) -> None:
    """The demo loaders (run in this order by `flask demo`) and every domain's shell commands."""
    app.extensions["takt_demo_loaders"] = list(DEMO_LOADERS)
    app.extensions["takt_company_loader"] = load_generated_company  # `flask demo --size xlarge`
    for command in COMMANDS:
        app.cli.add_command(command)
