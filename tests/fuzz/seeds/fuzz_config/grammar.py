from __future__ import annotations
import logging, os.path as osp
from typing import (Any,
    Optional)
@decorator(arg)
async def f(a, /, b: int = 1, *args, c, d=2, **kw) -> Optional[str]:
    global G
    nonlocal_ = 1
    async with ctx() as (x, y), other:
        await x
    async for i in aiter():
        yield i
    yield from g()
    return (yield)
class C(Base, metaclass=Meta):
    x: int = 1
    def m(self): del self.x[0], y; assert x, "msg"
with (open("a") as a, open("b") as b):
    pass
match command.split():
    case [action, obj] if obj:
        pass
    case _:
        pass
x = [*a, *b]; y = {**a, 'k': 1}; z = a if b else c; w = lambda *a, **k: 0
s = u"unicode" if 0 else rb'raw\bytes' Rb"x"
t = f"{x!r:>{width}} {y:{'<'}10} {{literal}} {z=}"
u = '''multi
line''' + """more"""
v = a[1:2, ::3, ...]
print(*args, sep='')
n = 0x_FF + 0o17 + 0b1010 + 1_000 + 1.5e-3 + 3j
if (n := 10) > 5: pass
try:
    pass
except* ValueError:
    pass
raise X from Y
