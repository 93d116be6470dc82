"""takt's shared kernel: the app factory, database, configuration, auth and errors."""

from flask import Flask

from core.config import load_config


def create_app(test_config: dict | None = None) -> Flask:
    """Build the takt application (config: defaults, then `SCM_*` environment, then `test_config`)."""
    app = Flask(__name__)
    load_config(app, test_config)
    register_extensions(app)
    register_blueprints(app)
    register_event_handlers(app)
    register_error_handlers(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    from core.api import create_api
    from core.auth import login_manager
    from core.db import register_database
    from core.guards import register_guards
    from core.observability import register_observability
    from core.security import register_security

    register_observability(app)
    register_guards(app)
    register_security(app)
    register_database(app)
    login_manager.init_app(app)
    create_api(app)


def register_blueprints(app: Flask) -> None:
    from core.api import meta_blp
    from inventory.api import blp as inventory_blp
    from logistics.api import blp as logistics_blp
    from planning.api import blp as orders_blp  # orders/api.py's blueprint, the planning snapshot joined
    from planning.runs.api import blp as planning_runs_blp
    from planning.web import init_web
    from planning.webhooks.api import blp as webhooks_blp
    from procurement.api import blp as procurement_blp
    from procurement.production.api import blp as production_blp

    blueprints = (
        meta_blp,
        inventory_blp,
        procurement_blp,
        production_blp,
        orders_blp,
        logistics_blp,
        planning_runs_blp,
        webhooks_blp,
    )
    for blueprint in blueprints:
        app.extensions["takt_api"].register_blueprint(blueprint)
    init_web(app)


def register_event_handlers(app: Flask) -> None:
    from logistics import service as logistics_service
    from orders import events as order_events

    order_events.subscribe(
        app, order_events.OrderCancelled, logistics_service.cancel_deliveries_of_cancelled_order
    )


def register_error_handlers(app: Flask) -> None:
    from core.errors import register_error_handlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from core.commands import demo_command, tokens_cli, users_cli
    from inventory.demo import load_inventory_demo
    from logistics.demo import load_logistics_demo
    from orders.demo import load_orders_demo
    from planning.cli import planning_cli
    from procurement.demo import load_procurement_demo
    from procurement.production.demo import load_production_demo
    from schedules.cli import schedules_cli

    app.extensions["takt_demo_loaders"] = [
        load_inventory_demo,
        load_procurement_demo,
        load_production_demo,
        load_orders_demo,
        load_logistics_demo,
    ]
    for command in (users_cli, tokens_cli, demo_command, planning_cli, schedules_cli):
        app.cli.add_command(command)
