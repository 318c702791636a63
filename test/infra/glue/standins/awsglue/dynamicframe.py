class DynamicFrame:
    @staticmethod
    def fromDF(frame, context, name):
        return frame
