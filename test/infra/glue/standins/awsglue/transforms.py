class SelectFromCollection:
    @staticmethod
    def apply(dfc, key):
        class Selected:
            def toDF(self):
                return dfc[key]

        return Selected()
