"""StormDesk's composition root: where engine sessions are assembled with the scorer."""
