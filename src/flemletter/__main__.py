from flemletter.cli import main

main()
