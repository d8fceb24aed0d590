"""Names shared by conf.py, the noxfile and the tests, so the outputs keep stable file names."""

#: File name (without extension) of the PDF and ePub editions.
BASENAME = "healthcare-and-human-trafficking"
