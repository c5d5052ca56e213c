from agentdesk.cli.main import main

main()
