"""What browsers load: the embeddable widget, the console app and the demo company website."""
