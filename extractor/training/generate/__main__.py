"""`python -m extractor.training.generate`: write the bundled samples (see `samples.main`)."""
from extractor.training.generate.samples import main

raise SystemExit(main())
