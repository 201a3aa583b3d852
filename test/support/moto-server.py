# Test-only: moto's server, as `python3 -m moto.server -H HOST -p PORT` runs
# it (moto.server.main: its app under werkzeug, threaded), with these additions
# for the integration tests (test/support/moto.ts):
# - it exits when the process that started it is gone: a SIGKILLed vitest
#   worker must not leave it behind;
# - it does not list moto's package directory on every request (moto.server
#   asks whether the request's host names one of moto's modules: a listdir
#   and a stat per module, a sixth of a plan's time in moto), nor log each
#   request to stderr;
# - POST /meshctl-test/snapshot/NAME keeps moto's whole state (every backend
#   of every account and region, and what a service keeps beside them) under
#   NAME, and POST
#   /meshctl-test/restore/NAME resets moto and puts that state back, as new
#   objects each time (a test changes them). Restoring the seeded demo takes
#   about 0.1 s of moto's time where seeding it again takes over a second and
#   70 calls. Snapshots live as long as the server, across resets.
# usage: moto-server.py HOST PORT
import logging
import os
import pickle
import sys
import threading
import time

from werkzeug.serving import run_simple
from moto import backends
from moto.core.base_backend import BackendDict, BaseBackend, backend_lock
from moto.core.model_instances import reset_model_data
from moto.server import DomainDispatcherApplication, create_backend_app

parent = os.getppid()


def exit_with_parent():
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


threading.Thread(target=exit_with_parent, daemon=True).start()

# The installed modules do not change while the server runs.
MOTO_MODULES = tuple(backends.list_of_moto_modules())
backends.list_of_moto_modules = lambda: MOTO_MODULES
logging.getLogger('werkzeug').setLevel(logging.WARNING)

# What every backend dict has; anything else a service's keeps (S3: the bucket
# names all accounts share) is state beside its backends, kept with them.
BACKEND_DICT_FIELDS = set(vars(BackendDict(BaseBackend, 'meshctl-test')))

# NAME -> (the services' backend dicts, and pickled together, so objects shared
# between backends stay shared: each one's accounts' region backends, and the
# state it keeps beside them)
snapshots = {}


def snapshot(name):
    services = list(dict.fromkeys(BackendDict._instances))
    state = [
        ({account: dict(regions) for account, regions in service.items()},
         {field: value for field, value in vars(service).items() if field not in BACKEND_DICT_FIELDS})
        for service in services
    ]
    snapshots[name] = (services, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL))


def restore(name):
    services, data = snapshots[name]
    # What POST /moto-api/reset does, but for re-creating the backends the
    # snapshot replaces (a fifth of a second); then the snapshot's in their place.
    replaced = set(map(id, services))
    with backend_lock:
        for service in dict.fromkeys(BackendDict._instances):
            if id(service) not in replaced:
                for account in service.values():
                    account.reset()
            service.clear()
        BackendDict._instances.clear()
    reset_model_data()
    for service, (accounts, beside) in zip(services, pickle.loads(data)):
        vars(service).update(beside)
        for account, regions in accounts.items():
            for region, backend in regions.items():
                service[account][region] = backend


moto_app = DomainDispatcherApplication(create_backend_app)
moto_app.debug = True


def app(environ, start_response):
    path = environ.get('PATH_INFO', '')
    for prefix, action in (('/meshctl-test/snapshot/', snapshot), ('/meshctl-test/restore/', restore)):
        if environ['REQUEST_METHOD'] == 'POST' and path.startswith(prefix):
            name = path[len(prefix):]
            if action is restore and name not in snapshots:
                start_response('404 Not Found', [('Content-Type', 'text/plain')])
                return [f'no snapshot {name}'.encode()]
            try:
                action(name)
            except Exception as error:
                start_response('500 Internal Server Error', [('Content-Type', 'text/plain')])
                return [str(error).encode()]
            start_response('200 OK', [('Content-Type', 'text/plain')])
            return [b'']
    return moto_app(environ, start_response)


if __name__ == '__main__':
    host, port = sys.argv[1], int(sys.argv[2])
    os.environ.setdefault('MOTO_PORT', str(port))
    run_simple(host, port, app, threaded=True)
