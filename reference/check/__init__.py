"""`backprop-oracle check`: an implementation (this project's `manual`, or yours) against
the oracle over seeded cases, stacked per family (`runner`), and its command line (`cli`)."""
