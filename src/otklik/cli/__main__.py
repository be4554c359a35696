from otklik.cli import run

run()
