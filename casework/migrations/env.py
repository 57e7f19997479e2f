from services.migrations import run_env

run_env()
