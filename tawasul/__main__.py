from tawasul.cli import main

main()
