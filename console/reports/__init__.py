"""Printed reports: the daily brief (日报) and the weekly / monthly bulletins (周报 / 月报).

content.py gathers a Report (plain data) from console.services.figures; printing.py lays it out
and paints A4 pages (PDF, printer, preview); workbook.py writes the same tables to Excel;
menu.py is what the 报表 menu opens (print preview, print dialog, save).
"""
