"""A gRPC client nobody here wrote: Debian's python3-grpcio, with ballast's proto compiled at run time
by python3-grpc-tools. Calls GetState, Watch and Drain/Undrain on an agent's unix socket and prints
one JSON document of what it saw. Usage: grpc_client.py PROTO_DIR SOCKET SERVER

Debian 12's grpc-tools bundles protoc 3.5.1, which predates proto3 `optional` (3.15): the proto is
compiled from a copy without those labels (the wire encoding of a field is the same with or without
presence), and its generated code needs protobuf's pure-Python runtime (Debian's python3-protobuf is
4.21, which refuses descriptors made by code that old in its C backend)."""
import json
import os
import re
import shutil
import sys
import tempfile
import threading

os.environ["PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION"] = "python"

import grpc
from grpc_tools import protoc

proto_dir, socket, server = sys.argv[1], sys.argv[2], sys.argv[3]
out = tempfile.mkdtemp(prefix="ballast-py-")
src = os.path.join(out, "src")
os.makedirs(os.path.join(src, "ballast", "v1"))
with open(os.path.join(proto_dir, "ballast", "v1", "agent.proto")) as f:
    text = re.sub(r"^(\s*)optional ", r"\1", f.read(), flags=re.M)
with open(os.path.join(src, "ballast", "v1", "agent.proto"), "w") as f:
    f.write(text)
well_known = os.path.join(os.path.dirname(protoc.__file__), "_proto")
rc = protoc.main(["protoc", f"-I{src}", f"-I{well_known}", f"--python_out={out}", f"--grpc_python_out={out}", "ballast/v1/agent.proto"])
if rc != 0:
    sys.exit(f"protoc failed: {rc}")
sys.path.insert(0, out)
from ballast.v1 import agent_pb2, agent_pb2_grpc  # noqa: E402

channel = grpc.insecure_channel(f"unix:{socket}")
stub = agent_pb2_grpc.AgentServiceStub(channel)
state = stub.GetState(agent_pb2.GetStateRequest(), timeout=5)
result = {
    "leaf": state.leaf,
    "role": state.role,
    "prefixes": {p.prefix: p.healthy_servers for p in state.prefixes},
    "lb": {p.prefix: p.current.bandwidth_mbps for p in state.prefixes},
}

events = []
stream = stub.Watch(agent_pb2.WatchRequest())
ready = threading.Event()


def read():
    try:
        for e in stream:
            kind = e.WhichOneof("event")
            if kind == "decision":
                events.append({"kind": kind, "prefix": e.decision.prefix, "reason": e.decision.reason, "changed": e.decision.changed})
            else:
                events.append({"kind": kind})
            if any(x["kind"] == "decision" for x in events):
                ready.set()
    except grpc.RpcError as err:
        if err.code() != grpc.StatusCode.CANCELLED:
            events.append({"kind": "error", "detail": str(err.code())})
        ready.set()


t = threading.Thread(target=read, daemon=True)
t.start()
drained = stub.Drain(agent_pb2.DrainRequest(server=server, reason="python client test"), timeout=10)
result["drained"] = list(drained.drained)
ready.wait(15)
stream.cancel()
after = stub.GetState(agent_pb2.GetStateRequest(), timeout=5)
result["after"] = {p.prefix: p.healthy_servers for p in after.prefixes}
result["serverDrained"] = sorted({s.name for p in after.prefixes for s in p.servers if s.drained})
result["events"] = events
undrained = stub.Undrain(agent_pb2.UndrainRequest(server=server), timeout=10)
result["stillDrained"] = list(undrained.drained)
try:
    stub.Drain(agent_pb2.DrainRequest(server="no-such-server", reason="x"), timeout=5)
    result["unknown"] = "accepted"
except grpc.RpcError as err:
    result["unknown"] = err.code().name
print(json.dumps(result))
shutil.rmtree(out, ignore_errors=True)
