from zonesim.cli import main

raise SystemExit(main())
