"""The books' records (`book.Book`), one module per textbook or course: name -> Book.

Plain data, read by the shared reading code in the parent and by the student's
process (the course modules stood in for, a layer's state): this package imports
nothing but the record types, never the styles' judges nor their correct pieces
(each record names its pieces' module as a string, `Book.kit`). `SHELF` is every
record together, as the shared reading code asks them.
"""

from __future__ import annotations

from ..book import Book, Shelf
from . import cs231n, ng, ng_c2w1, ng_c2w2, ng_c4, ng_c5, nielsen, saito, saito_ch67

__all__ = ["BOOKS", "SHELF"]

BOOKS: dict[str, Book] = {b.style: b for b in (ng.BOOK, saito.BOOK, nielsen.BOOK,
                                                nielsen.BOOK2, cs231n.BOOK_A2,
                                                cs231n.BOOK_A3, ng_c2w1.BOOK, ng_c2w2.BOOK,
                                                ng_c4.BOOK, ng_c5.BOOK, saito_ch67.BOOK_CH6,
                                                saito_ch67.BOOK_CH7)}
SHELF = Shelf(tuple(BOOKS.values()))
