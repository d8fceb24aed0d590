"""Names shared by conf.py, the noxfile and the tests, so the outputs keep stable file names."""

#: File name (without extension) of the PDF and ePub editions.
BASENAME = "healthcare-and-human-trafficking"

#: Where the test build of the kitchen-sink fixture pretends to be published (never fetched;
#: .example is reserved for examples by RFC 2606), so the tests can check canonical links, the
#: sitemap and og:url, which only a published site has.
FIXTURE_URL = "https://kitchen-sink.example/handbook/"
