"""The website chat widget: its sources (src/), build (build.js) and the demo clinic site."""
