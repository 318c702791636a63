class _Type:
    def __init__(self, *args):
        self.args = args


class StringType(_Type): pass
class IntegerType(_Type): pass
class LongType(_Type): pass
class DoubleType(_Type): pass
class BooleanType(_Type): pass
class ArrayType(_Type): pass


class StructField:
    def __init__(self, name, data_type):
        self.name, self.data_type = name, data_type


class StructType:
    def __init__(self, fields):
        self.fields = fields
