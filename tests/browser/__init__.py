"""Browser tests: axe-core, keyboard use and the Nu Html Checker on the built site, served as Netlify would."""
