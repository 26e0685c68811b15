from pmle.cli import main

raise SystemExit(main())
