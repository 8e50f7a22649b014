"""Bodies that owe the board reports, the reports received, and outbox rows addressed to a body

Revision ID: i20_inbound
Revises: 0001
Create Date: 2026-12-03 12:35:38.890043
"""

from alembic import op
import sqlalchemy as sa


revision = 'i20_inbound'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    
    op.create_table('reporting_bodies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('short_name', sa.String(length=64), nullable=False),
    sa.Column('search_name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('emails', sa.JSON(), nullable=False),
    sa.Column('telegram_chat_id', sa.BigInteger(), nullable=True),
    sa.Column('owes', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reporting_bodies')),
    sa.UniqueConstraint('name', name=op.f('uq_reporting_bodies_name')),
    sa.UniqueConstraint('telegram_chat_id', name=op.f('uq_reporting_bodies_telegram_chat_id'))
    )
    with op.batch_alter_table('reporting_bodies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reporting_bodies_search_name'), ['search_name'], unique=False)

    op.create_table('inbound_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=16), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('file_data', sa.LargeBinary(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['reporting_bodies.id'], name=op.f('fk_inbound_reports_body_id_reporting_bodies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['officers.id'], name=op.f('fk_inbound_reports_recorded_by_id_officers'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_reports')),
    sa.UniqueConstraint('body_id', 'period', name=op.f('uq_inbound_reports_body_id'))
    )
    with op.batch_alter_table('inbound_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_reports_body_id'), ['body_id'], unique=False)

    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('body_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_reminders_body_id'), ['body_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_reminders_body_id_reporting_bodies'), 'reporting_bodies', ['body_id'], ['id'], ondelete='CASCADE')




def downgrade() -> None:
    
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_reminders_body_id_reporting_bodies'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reminders_body_id'))
        batch_op.drop_column('body_id')

    with op.batch_alter_table('inbound_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbound_reports_body_id'))

    op.drop_table('inbound_reports')
    with op.batch_alter_table('reporting_bodies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reporting_bodies_search_name'))

    op.drop_table('reporting_bodies')

