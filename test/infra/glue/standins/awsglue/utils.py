def getResolvedOptions(argv, names):
    args = dict(zip(argv[1::2], argv[2::2]))
    return {n: args[f"--{n}"] for n in names}
