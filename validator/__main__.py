from validator.replay import main

raise SystemExit(main())
