"""What the staffing pages share: the page size and the permission that shows a whole ID number."""

PAGE_SIZE = 25
FULL_ID_NUMBER = "staffing.view_full_id_number"
