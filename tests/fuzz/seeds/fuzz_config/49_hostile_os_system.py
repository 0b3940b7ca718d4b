import os
import subprocess

# Side effects are recorded, never run.
os.system("rm -rf /tmp/should_not_happen")
HANDLE = open("/etc/passwd")
OUTPUT = subprocess.check_output(["id"])
os.environ["INJECTED"] = "yes"
SEEN = os.environ.get("INJECTED")
CACHE_CONFIG = {"CACHE_TYPE": "RedisCache", "CACHE_KEY_PREFIX": "hostile_"}
