"""Reading git: a repository in, every change to its card files out (`RepoHistory`), in one
log pass and one blob reader, kept between builds in a verified cache and moved into one time
zone. The only stage that imports git; it knows nothing of what a card says."""
