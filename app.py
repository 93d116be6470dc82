"""The composition root: `create_app` builds takt from the kernel (`core/`) and every domain's blueprints,
event handlers, demo loaders and commands. Nothing imports this module but the entry points (`wsgi.py`)
and the tests; `core/` imports no domain."""

from flask import Flask

from core import errors
from core.api import create_api, meta_blp
from core.auth import login_manager
from core.commands import demo_command, tokens_cli, users_cli
from core.config import load_config
from core.db import register_database
from core.guards import register_guards
from core.observability import register_observability
from core.security import register_security
from inventory.api import blp as inventory_blp
from inventory.cli import stock_cli
from inventory.demo import load_inventory_demo
from logistics import service as logistics_service
from logistics.api import blp as logistics_blp
from logistics.demo import load_logistics_demo
from orders import events as order_events
from orders.demo import load_orders_demo
from planning.api import blp as orders_blp  # orders/api.py's blueprint, the planning snapshot joined
from planning.cli import planning_cli
from planning.runs.api import blp as planning_runs_blp
from planning.web import init_web
from planning.webhooks.api import blp as webhooks_blp
from procurement.api import blp as procurement_blp
from procurement.demo import load_procurement_demo
from procurement.production.api import blp as production_blp
from procurement.production.demo import load_production_demo
from schedules.cli import schedules_cli

BLUEPRINTS = (
    meta_blp,
    inventory_blp,
    procurement_blp,
    production_blp,
    orders_blp,
    logistics_blp,
    planning_runs_blp,
    webhooks_blp,
)
DEMO_LOADERS = (
    load_inventory_demo,
    load_procurement_demo,
    load_production_demo,
    load_orders_demo,
    load_logistics_demo,
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


def register_event_handlers(app: Flask) -> None:
    """Subscribe each domain's reactions to the events of the domains below it."""
    order_events.subscribe(
        app, order_events.OrderCancelled, logistics_service.cancel_deliveries_of_cancelled_order
    )


def register_commands(app: Flask) -> None:
    """The demo loaders (run in this order by `flask demo`) and every domain's shell commands."""
    app.extensions["takt_demo_loaders"] = list(DEMO_LOADERS)
    for command in COMMANDS:
        app.cli.add_command(command)
