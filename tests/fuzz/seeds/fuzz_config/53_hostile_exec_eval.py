# exec/eval/__import__/compile are never run.
exec("import os; os.system('id')")
VALUE = eval("1 + 1")
OS = __import__("os")
CODE = compile("x = 1", "<s>", "exec")
CACHE_CONFIG = {"CACHE_TYPE": "RedisCache", "CACHE_KEY_PREFIX": "exec_"}
