"""Drive a running camunda-admin emulator from Python's standard library only.

Reads the environment `camunda-admin emulator` prints (CAMUNDA_CONSOLE_*,
CAMUNDA_EMULATOR_CONTROL_TOKEN). Injects a 503 on CreateCluster, calls it,
reads the journal, resets, and checks the state is empty. Exits non-zero
with a message on the first surprise.
"""

import json
import os
import sys
import urllib.error
import urllib.request

BASE = os.environ["CAMUNDA_CONSOLE_BASE_URL"]
CONTROL = BASE + "/__emulator"
CONTROL_TOKEN = os.environ["CAMUNDA_EMULATOR_CONTROL_TOKEN"]
SECRET = os.environ["CAMUNDA_CONSOLE_CLIENT_SECRET"]


def call(method, url, token=None, body=None):
    """The status and the JSON body (None if empty) of one request."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    return status, (json.loads(text) if text else None)


def check(condition, message):
    if not condition:
        sys.exit("control_from_python: " + message)


status, grant = call("POST", os.environ["CAMUNDA_OAUTH_URL"], body={
    "grant_type": "client_credentials",
    "client_id": os.environ["CAMUNDA_CONSOLE_CLIENT_ID"],
    "client_secret": SECRET,
    "audience": os.environ["CAMUNDA_CONSOLE_OAUTH_AUDIENCE"],
})
check(status == 200, "token: %s %s" % (status, grant))
token = grant["access_token"]

status, parameters = call("GET", BASE + "/clusters/parameters", token)
check(status == 200, "parameters: %s" % status)
channel = parameters["channels"][0]
cluster = {
    "name": "from-python",
    "planTypeId": parameters["clusterPlanTypes"][0]["uuid"],
    "channelId": channel["uuid"],
    "generationId": channel["defaultGeneration"]["uuid"],
    "regionId": parameters["regions"][0]["uuid"],
}

status, _ = call("POST", CONTROL + "/faults", CONTROL_TOKEN,
                 {"operationId": "CreateCluster", "status": 503, "times": 1})
check(status == 201, "inject: %s" % status)
status, _ = call("POST", BASE + "/clusters", token, cluster)
check(status == 503, "the injected 503, not %s" % status)
status, created = call("POST", BASE + "/clusters", token, cluster)
check(status == 200 and created.get("clusterId"), "then created: %s %s" % (status, created))

status, journal = call("GET", CONTROL + "/requests?operationId=CreateCluster", CONTROL_TOKEN)
check(status == 200, "journal: %s" % status)
check([e["status"] for e in journal] == [503, 200], "journal statuses: %s" % journal)
check(all(e["body"]["name"] == "from-python" for e in journal), "journal bodies: %s" % journal)
status, everything = call("GET", CONTROL + "/requests", CONTROL_TOKEN)
check(SECRET not in json.dumps(everything), "a secret in the journal")
check(everything[0]["operationId"] == "Token", "the token request first: %s" % everything[0])

status, _ = call("POST", CONTROL + "/reset", CONTROL_TOKEN, {})
check(status == 200, "reset: %s" % status)
status, clusters = call("GET", BASE + "/clusters", token)
check(status == 200 and clusters == [], "empty after the reset: %s %s" % (status, clusters))
print("ok")
