"""Files in, `Document`s out: every supported format read into the text spans index into."""
