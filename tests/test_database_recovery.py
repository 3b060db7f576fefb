"""When PostgreSQL drops the app's connection (a restart, an administrator), the next
request reconnects by itself: production keeps connections (CONN_MAX_AGE) and checks one
before a request reuses it (CONN_HEALTH_CHECKS). bench/loadtest.py --restart-database-at does
the same with a real restart under load."""

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the app's own connection, no test transaction
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a PostgreSQL server ends the connection"
    ),
]


def serve(app, path, cookie):
    """One request through the WSGI application, as gunicorn makes it; its status code."""
    statuses = []
    environ = RequestFactory().get(path, HTTP_COOKIE=cookie).environ
    response = app(environ, lambda status, headers: statuses.append(status))
    b"".join(response)
    response.close()  # request_finished: the connection is kept, not closed
    return int(statuses[0].split()[0])


def end_connection_from_the_server():
    import psycopg

    pid = connection.connection.info.backend_pid
    s = connection.settings_dict
    with psycopg.connect(
        host=s["HOST"], port=s["PORT"], user=s["USER"], password=s["PASSWORD"], dbname=s["NAME"]
    ) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]
        for _ in range(100):  # until the server has really let it go
            gone = not admin.execute(
                "SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]
            ).fetchone()
            if gone:
                break
    return pid


@pytest.fixture
def kept_connections():
    """The production database settings (bin/serve: DEBUG off, so 600 seconds)."""
    saved = connection.settings_dict["CONN_MAX_AGE"], connection.settings_dict["CONN_HEALTH_CHECKS"]
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"] = 600
    yield connection.settings_dict
    connection.close()
    connection.settings_dict["CONN_MAX_AGE"], connection.settings_dict["CONN_HEALTH_CHECKS"] = saved


@pytest.fixture
def signed_in(client, manager):
    client.force_login(manager)
    return f"sessionid={client.cookies['sessionid'].value}"


def test_the_next_request_reconnects_after_the_database_ends_the_connection(
    kept_connections, signed_in
):
    assert kept_connections["CONN_HEALTH_CHECKS"]  # as the settings have it
    app = WSGIHandler()
    assert serve(app, "/projects/", signed_in) == 200
    first = connection.connection.info.backend_pid  # kept after the request
    assert end_connection_from_the_server() == first
    assert serve(app, "/projects/", signed_in) == 200
    assert connection.connection.info.backend_pid != first


def test_without_the_check_the_first_request_after_it_fails(kept_connections, signed_in):
    """What the health check saves: the request that meets the dead connection."""
    kept_connections["CONN_HEALTH_CHECKS"] = False
    connection.close()  # read when connecting
    app = WSGIHandler()
    assert serve(app, "/projects/", signed_in) == 200
    end_connection_from_the_server()
    assert serve(app, "/projects/", signed_in) == 500
    assert serve(app, "/projects/", signed_in) == 200  # the failed one closed it
