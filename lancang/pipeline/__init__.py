"""``lancang run``: pipeline files, shards, resume and executors (local processes, Dask).

See :mod:`lancang.pipeline.run` for the output folder, :mod:`lancang.pipeline.spec` for the pipeline
file and its build-time checks, :mod:`lancang.pipeline.executors` for the executors.
"""
