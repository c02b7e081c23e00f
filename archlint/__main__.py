from archlint.entry import run

run()
