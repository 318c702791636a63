"""What Spark does to a function it sends to the executors, as far as it can fail: PySpark
pickles it with cloudpickle, which takes a function or class by name when its module can be
imported there, and otherwise by value, with every global and closure variable it uses, which
must pickle in turn (a boto3 client, holding locks and sockets, does not). `check` raises the
error Spark would."""

import io
import pickle
import sys
import types

_SHIPPED = (int, (0,))  # stands in for what cloudpickle writes for a function or class by value


def _by_name(obj):
    module = sys.modules.get(getattr(obj, "__module__", None) or "")
    if module is None or module.__name__ == "__main__":
        return False
    target = module
    for part in obj.__qualname__.split("."):
        target = getattr(target, part, None)
    return target is obj


def _names(code):
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


class _Probe(pickle.Pickler):
    def __init__(self, seen):
        super().__init__(io.BytesIO())
        self.seen = seen

    def reducer_override(self, obj):
        if isinstance(obj, types.ModuleType):
            return _SHIPPED  # by name
        if isinstance(obj, types.FunctionType) and not _by_name(obj):
            if id(obj) not in self.seen:
                self.seen.add(id(obj))
                for name in _names(obj.__code__):
                    if name in obj.__globals__:
                        _Probe(self.seen).dump(obj.__globals__[name])
                for cell in obj.__closure__ or ():
                    _Probe(self.seen).dump(cell.cell_contents)
                for default in obj.__defaults__ or ():
                    _Probe(self.seen).dump(default)
            return _SHIPPED
        if isinstance(obj, type) and not _by_name(obj):
            if id(obj) not in self.seen:
                self.seen.add(id(obj))
                for value in vars(obj).values():
                    if isinstance(value, (types.FunctionType, staticmethod, classmethod)):
                        _Probe(self.seen).dump(getattr(value, "__func__", value))
            return _SHIPPED
        return NotImplemented


def check(f):
    """Raise as Spark would if `f` cannot be sent to an executor."""
    _Probe(set()).dump(f)
    return f
