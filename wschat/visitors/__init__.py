"""Website visitors: their widget session, contact data, the page trail, the widget's HTTP endpoints."""
