class StorageLevel:
    MEMORY_AND_DISK = "MEMORY_AND_DISK"
